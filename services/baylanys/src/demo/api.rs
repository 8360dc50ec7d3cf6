//! A thin client of the public HTTP API. The demo goes through exactly the doors real staff and
//! channels use, so whatever it shows is what the product does; a refusal comes back as
//! [`Refused`], naming the call and the server's reason, so a run reports it and carries on.

use std::fmt;
use std::time::Duration;

use baylanys_proto::{LoginRequest, LoginResponse, StaffView};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

/// A call the server refused or that never reached it.
#[derive(Debug)]
pub struct Refused {
    /// Absent when there was no answer (connection refused, timeout, unreadable body).
    pub status: Option<StatusCode>,
    pub what: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for Refused {}

impl Refused {
    pub fn new(what: impl Into<String>) -> Self {
        Refused {
            status: None,
            what: what.into(),
        }
    }

    pub fn is(&self, status: StatusCode) -> bool {
        self.status == Some(status)
    }
}

pub type Result<T> = std::result::Result<T, Refused>;

/// The body of a verb that takes none: `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// The error and its causes, e.g. "error sending request …: connection refused".
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// The server, without credentials.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
}

impl Api {
    pub fn new(base: &str) -> anyhow::Result<Api> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()?;
        Ok(Api {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn login(&self, login: &str, password: &str) -> Result<Session> {
        let body = LoginRequest {
            login: login.to_owned(),
            password: password.to_owned(),
        };
        let r: LoginResponse = self
            .send(Method::POST, "/api/v1/auth/login", None, &[], Some(&body))
            .await?;
        Ok(Session {
            api: self.clone(),
            token: r.token,
            staff: r.staff,
        })
    }

    async fn send<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T> {
        let what = format!("{method} {path}");
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req
            .send()
            .await
            .map_err(|e| Refused::new(format!("{what}: {}", causes(&e))))?;
        let status = r.status();
        let text = r
            .text()
            .await
            .map_err(|e| Refused::new(format!("{what}: {e}")))?;
        if !status.is_success() {
            // problem+json (RFC 9457): the title says what, the detail why.
            let problem: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let reason = match (problem["title"].as_str(), problem["detail"].as_str()) {
                (Some(t), Some(d)) => format!("{t}: {d}"),
                (Some(t), None) => t.to_owned(),
                _ => text.chars().take(200).collect(),
            };
            return Err(Refused {
                status: Some(status),
                what: format!("{what}: {status} {reason}"),
            });
        }
        let text = if text.trim().is_empty() {
            "null"
        } else {
            &text
        };
        serde_json::from_str(text).map_err(|e| Refused {
            status: Some(status),
            what: format!("{what}: unexpected answer: {e}"),
        })
    }
}

/// A signed-in staff member.
#[derive(Clone)]
pub struct Session {
    api: Api,
    token: String,
    pub staff: StaffView,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a credential: never in a debug print.
        f.debug_struct("Session")
            .field("login", &self.staff.login)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub fn id(&self) -> Uuid {
        self.staff.id
    }

    pub fn login(&self) -> &str {
        &self.staff.login
    }

    pub fn name(&self) -> &str {
        &self.staff.display_name
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.get_query(path, &[]).await
    }

    /// Keeps this staff member's console open until `stop`: the operator socket, said hello to
    /// and read (its pushes dropped), reopened when it closes. The server sets an online
    /// operator away whose console is not open, as for a real operator who left.
    pub async fn keep_console(&self, stop: tokio_util::sync::CancellationToken) {
        use futures_util::{SinkExt as _, StreamExt as _};
        use tokio_tungstenite::tungstenite::Message;
        let url = format!(
            "{}/ws/operator",
            self.api
                .base()
                .replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        while !stop.is_cancelled() {
            if let Ok((mut socket, _)) = tokio_tungstenite::connect_async(url.as_str()).await {
                let hello = serde_json::json!({"type": "hello", "v": 1, "token": self.token});
                if socket
                    .send(Message::Text(hello.to_string().into()))
                    .await
                    .is_ok()
                {
                    loop {
                        tokio::select! {
                            _ = stop.cancelled() => {
                                let _ = socket.close(None).await;
                                return;
                            }
                            msg = socket.next() => {
                                if !matches!(msg, Some(Ok(_))) {
                                    break;
                                }
                            }
                        }
                    }
                }
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
    }

    pub async fn get_query<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        self.api
            .send::<T, ()>(Method::GET, path, Some(&self.token), query, None)
            .await
    }

    pub async fn post<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.api
            .send(Method::POST, path, Some(&self.token), &[], Some(body))
            .await
    }

    pub async fn put<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.api
            .send(Method::PUT, path, Some(&self.token), &[], Some(body))
            .await
    }

    pub async fn patch<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T> {
        self.api
            .send(Method::PATCH, path, Some(&self.token), &[], Some(body))
            .await
    }
}
