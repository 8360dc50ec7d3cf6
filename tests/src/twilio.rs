//! The TwiML provider's side of the voice webhooks, as Twilio documents it: form-encoded POSTs
//! signed with `X-Twilio-Signature` over the public URL it was given, following the TwiML the
//! centre answers (the `action` and `waitUrl` it names). Twilio cannot be reached from here, so
//! the tests play it.

use reqwest::StatusCode;

use crate::TestApp;

/// The provider, calling one centre.
#[derive(Debug)]
pub struct Provider<'a> {
    pub app: &'a TestApp,
    pub token: String,
    /// The URL the provider was configured with (`BAYLANYS_PUBLIC_URL`).
    pub public: String,
}

/// A TwiML answer.
#[derive(Debug, Clone)]
pub struct Twiml {
    pub status: StatusCode,
    pub xml: String,
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(unescape(&tag[start..end]))
}

impl Twiml {
    /// Every `<Say>`'s text, in order.
    pub fn says(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.xml.as_str();
        while let Some(i) = rest.find("<Say") {
            rest = &rest[i..];
            let Some(open_end) = rest.find('>') else {
                break;
            };
            let Some(close) = rest.find("</Say>") else {
                break;
            };
            out.push(unescape(&rest[open_end + 1..close]));
            rest = &rest[close + 6..];
        }
        out
    }

    /// All the text said, joined.
    pub fn said(&self) -> String {
        self.says().join(" ")
    }

    /// The first element named `tag`'s attribute `name`.
    pub fn attr(&self, tag: &str, name: &str) -> Option<String> {
        let i = self.xml.find(&format!("<{tag}"))?;
        let end = self.xml[i..].find('>')? + i;
        attr(&self.xml[i..end], name)
    }

    pub fn has(&self, tag: &str) -> bool {
        self.xml.contains(&format!("<{tag}"))
    }

    /// The text of the first element named `tag` (`Sip`, `Number`, `Play`).
    pub fn text_of(&self, tag: &str) -> Option<String> {
        let i = self.xml.find(&format!("<{tag}>"))? + tag.len() + 2;
        let end = self.xml[i..].find(&format!("</{tag}>"))? + i;
        Some(unescape(&self.xml[i..end]))
    }

    /// Where a Gather sends the keys.
    pub fn gather(&self) -> Option<String> {
        self.attr("Gather", "action")
    }
}

impl<'a> Provider<'a> {
    pub fn hook(&self, name: &str) -> String {
        format!("{}/webhooks/voice/twilio/{name}", self.public)
    }

    /// POSTs the parameters to `url` (a URL under the public one), signed as the provider signs.
    pub async fn post(&self, url: &str, params: &[(&str, &str)]) -> anyhow::Result<Twiml> {
        let owned: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let signature = baylanys_channels::twiml::signature(&self.token, url, &owned);
        self.post_signed(url, params, &signature).await
    }

    /// POSTs with the signature given (a wrong one, for the refusals).
    pub async fn post_signed(
        &self,
        url: &str,
        params: &[(&str, &str)],
        signature: &str,
    ) -> anyhow::Result<Twiml> {
        let path = url
            .strip_prefix(&self.public)
            .ok_or_else(|| anyhow::anyhow!("{url} is not under {}", self.public))?;
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            body.append_pair(k, v);
        }
        let res = self
            .app
            .http
            .post(format!("{}{path}", self.app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-twilio-signature", signature)
            .body(body.finish())
            .send()
            .await?;
        Ok(Twiml {
            status: res.status(),
            xml: res.text().await?,
        })
    }
}

/// Whether a request to the provider's REST API (played by a test) carries its basic
/// authentication: the account id and auth token, and is for that account.
pub fn authorised(
    headers: &axum::http::HeaderMap,
    account_in_path: &str,
    account: &str,
    token: &str,
) -> bool {
    use base64::Engine as _;
    let want = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{account}:{token}"))
    );
    account_in_path == account
        && headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v == want)
}

/// Serves `app` on a free port of 127.0.0.1 (a provider's REST API the test plays) until the
/// test ends; returns its base URL.
pub async fn serve(app: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(base)
}
