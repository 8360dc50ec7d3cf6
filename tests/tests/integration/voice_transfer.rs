//! A call passed on by its operator (issue "The phone", point 6: transfer; R18), on both
//! backends, through the TwiML adapter. The test plays the provider: its webhooks, signed, and
//! its REST API for calls in progress as a local server.
//! - operator A transfers the caller to colleague B from the console: the centre redirects the
//!   call at the provider (A's leg ends), the caller hears in their language that they are
//!   passed on and waits; B accepts and the caller is put through to B's phone;
//! - B sends them to a queue while the provider's API fails: B hangs up their phone, and the
//!   caller is passed on all the same;
//! - A puts the caller on hold: the provider takes them from A's phone, they hear in Kazakh
//!   that they are on hold and wait without being put through; taken back, they are put
//!   through to A again; others may not hold A's call, nor take back a caller not on hold;
//! - each contact keeps its own operator; the holds and transfers are in the log.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::IntoResponse;
use baylanys_tests::twilio::Twiml;
use baylanys_tests::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::http_dispatch::online;
use crate::voice_twiml::{offered, ok, provider, PUBLIC, TOKEN};

mod per_backend {
    use baylanys_tests::Backend;

    #[tokio::test]
    async fn sqlite() -> anyhow::Result<()> {
        super::passed_to_a_colleague_then_to_a_queue(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn postgres() -> anyhow::Result<()> {
        super::passed_to_a_colleague_then_to_a_queue(Backend::Postgres).await
    }
}

pub(crate) const ACCOUNT: &str = "AC00000000000000000000000000000077";

/// A form as posted, its pairs in order.
pub(crate) type Form = Vec<(String, String)>;

/// The provider's `POST /2010-04-01/Accounts/{AC}/Calls/{CallSid}.json` (basic authentication
/// with the account id and auth token): each redirect asked for, as (call, Url, Method); while
/// `failing`, it answers 503.
#[derive(Clone, Default)]
pub(crate) struct CallsApi {
    pub(crate) redirects: Arc<Mutex<Vec<(String, String, String)>>>,
    failing: Arc<Mutex<bool>>,
    /// Requests still to answer 503 before the rest are taken.
    pub(crate) fail_next: Arc<std::sync::atomic::AtomicUsize>,
    /// Each call placed (`POST …/Calls.json`), as its form.
    pub(crate) placed: Arc<Mutex<Vec<Form>>>,
}

/// The provider's `POST /2010-04-01/Accounts/{AC}/Calls.json`: a call placed; answers its sid.
async fn create_call(
    State(api): State<CallsApi>,
    headers: HeaderMap,
    axum::extract::Path(account): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    if !baylanys_tests::twilio::authorised(&headers, &account, ACCOUNT, TOKEN) {
        return AxumStatus::UNAUTHORIZED.into_response();
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut placed = api
        .placed
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    placed.push(form);
    let sid = format!("CA{:032}", placed.len());
    (
        AxumStatus::CREATED,
        axum::Json(json!({"sid": sid, "status": "queued"})),
    )
        .into_response()
}

async fn modify_call(
    State(api): State<CallsApi>,
    headers: HeaderMap,
    axum::extract::Path((account, file)): axum::extract::Path<(String, String)>,
    body: axum::body::Bytes,
) -> axum::response::Response {
    if !baylanys_tests::twilio::authorised(&headers, &account, ACCOUNT, TOKEN) {
        return AxumStatus::UNAUTHORIZED.into_response();
    }
    let fail_now = api
        .fail_next
        .fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        )
        .is_ok();
    if fail_now
        || *api
            .failing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    {
        return AxumStatus::SERVICE_UNAVAILABLE.into_response();
    }
    let Some(sid) = file.strip_suffix(".json") else {
        return AxumStatus::NOT_FOUND.into_response();
    };
    let form: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    api.redirects
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push((sid.to_owned(), get("Url"), get("Method")));
    axum::Json(json!({"sid": sid, "status": "in-progress"})).into_response()
}

pub(crate) async fn calls_api() -> anyhow::Result<(String, CallsApi)> {
    let api = CallsApi::default();
    let app = axum::Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Calls/{file}",
            axum::routing::post(modify_call),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Calls.json",
            axum::routing::post(create_call),
        )
        .with_state(api.clone());
    Ok((baylanys_tests::twilio::serve(app).await?, api))
}

/// Operator `login`, online, with the SIP phone `extension`.
async fn operator(app: &TestApp, login: &str, extension: &str) -> anyhow::Result<(String, String)> {
    let (id, token) = online(app, login, "operator", json!(["kk", "ru"]), 1).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{id}"),
            app.admin(),
            json!({"extension": extension}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    Ok((id.to_string(), token))
}

/// The operator accepts the waiting contact; the next wait tick takes the caller out of the
/// holding area and the provider's `left` request gets the `<Dial>` to their phone.
async fn put_through(
    app: &TestApp,
    op: &str,
    contact: &str,
    sid: &str,
    tick: &str,
) -> anyhow::Result<Twiml> {
    let tw = provider(app);
    offered(app, op, contact).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{contact}/accept"),
            op,
            json!({}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "{}", r.text);
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", tick)])
        .await?;
    anyhow::ensure!(w.has("Leave"), "{}", w.xml);
    let dial = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", sid),
                ("QueueResult", "leave"),
                ("QueueTime", tick),
            ],
        )
        .await?;
    ok(&dial)?;
    Ok(dial)
}

/// The URL the centre last sent call `sid` to, after checking the request was the provider's.
fn last_redirect(api: &CallsApi, sid: &str) -> anyhow::Result<String> {
    let all = api
        .redirects
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let (call, url, method) = all
        .last()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the provider was not asked"))?;
    anyhow::ensure!(call == sid && method == "POST", "{all:?}");
    anyhow::ensure!(
        url.starts_with(&format!("{PUBLIC}/webhooks/voice/twilio/released?id=")),
        "{url}"
    );
    Ok(url)
}

async fn contacts(app: &TestApp, appeal: &str) -> anyhow::Result<Vec<Value>> {
    let a = app
        .get(&format!("/api/v1/appeals/{appeal}"), app.admin())
        .await?;
    Ok(a.body["interactions"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

async fn passed_to_a_colleague_then_to_a_queue(backend: Backend) -> anyhow::Result<()> {
    let (api_base, api) = calls_api().await?;
    let mut config = baylanys_tests::test_config();
    config.public_url = PUBLIC.into();
    config.twilio_auth_token = Some(baylanys_api::Secret(TOKEN.into()));
    config.twilio_account_sid = ACCOUNT.into();
    config.twilio_api_url = api_base;
    let app = TestApp::spawn_with(backend, config).await?;
    let queue = app.default_queue().await?;
    let (a_id, a) = operator(&app, "op-a", "sip:101@127.0.0.1:5060").await?;
    let tw = provider(&app);
    let sid = "CA00000000000000000000000000000201";

    // The call waits; A is the only one online and takes it.
    ok(&tw
        .post(
            &tw.hook("incoming"),
            &[("CallSid", sid), ("From", "+77011234567")],
        )
        .await?)?;
    let r = app
        .get("/api/v1/appeals?channel=voice&limit=1", app.admin())
        .await?;
    let appeal = r.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let first = contacts(&app, &appeal).await?[0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let dial_a = put_through(&app, &a, &first, sid, "2").await?;
    assert_eq!(
        dial_a.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5060")
    );
    let (b_id, b) = operator(&app, "op-b", "sip:102@127.0.0.1:5060").await?;

    // A puts the caller on hold; B may not, and nobody takes back a caller not on hold.
    let hold = format!("/api/v1/interactions/{first}/hold");
    let resume = format!("/api/v1/interactions/{first}/resume");
    let r = app.post(&resume, &a, json!({})).await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = app.post(&hold, &b, json!({})).await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    let r = app.post(&hold, &a, json!({})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["held_at"].is_string(), "{}", r.text);
    let r = app.post(&hold, &a, json!({})).await?;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "on hold already: {}",
        r.text
    );
    let held_url = last_redirect(&api, sid)?;
    let on_hold = tw.post(&held_url, &[("CallSid", sid)]).await?;
    assert!(
        on_hold
            .said()
            .contains("Оператор сізді күту режиміне қойды"),
        "{}",
        on_hold.xml
    );
    assert!(on_hold.has("Enqueue"), "{}", on_hold.xml);
    // Waiting on hold: not put through.
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "1")])
        .await?;
    assert!(w.has("Pause") && !w.has("Leave"), "{}", w.xml);
    let r = app.post(&resume, &a, json!({})).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["held_at"].is_null(), "{}", r.text);
    let w = tw
        .post(&tw.hook("wait"), &[("CallSid", sid), ("QueueTime", "3")])
        .await?;
    assert!(w.has("Leave"), "taken back: {}", w.xml);
    let back = tw
        .post(
            &tw.hook("left"),
            &[
                ("CallSid", sid),
                ("QueueResult", "leave"),
                ("QueueTime", "3"),
            ],
        )
        .await?;
    assert_eq!(
        back.text_of("Sip").as_deref(),
        Some("sip:101@127.0.0.1:5060"),
        "{}",
        back.xml
    );
    let held = app
        .get("/api/v1/events?kind=call.held&limit=10", app.admin())
        .await?;
    assert_eq!(
        held.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        held.text
    );
    let resumed = app
        .get("/api/v1/events?kind=call.resumed&limit=10", app.admin())
        .await?;
    assert_eq!(
        resumed.body["items"][0]["data"]["operator_id"],
        a_id.as_str()
    );

    // A passes the caller to B from the console.
    let r = app
        .post(
            &format!("/api/v1/interactions/{first}/transfer"),
            &a,
            json!({"to_operator": b_id, "reason": "Жер мәселесі бойынша маман"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let second = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert_ne!(second, first);
    // The centre asked the provider to take the call from A's phone, to the released hook.
    let released = last_redirect(&api, sid)?;
    assert_ne!(released, held_url, "each release has an id of its own");
    // The provider fetches it: the caller hears they are passed on, in Kazakh, and waits.
    let r = tw.post(&released, &[("CallSid", sid)]).await?;
    assert!(
        r.said().contains("Сізді басқа маманға қосамыз"),
        "{}",
        r.xml
    );
    assert!(r.has("Enqueue"), "{}", r.xml);
    let before = app.event_count().await?;
    let again = tw.post(&released, &[("CallSid", sid)]).await?;
    assert_eq!(again.xml, r.xml, "a retried request is answered the same");
    assert_eq!(app.event_count().await?, before, "and writes nothing");
    // B takes the call on their phone.
    let dial_b = put_through(&app, &b, &second, sid, "4").await?;
    assert_eq!(
        dial_b.text_of("Sip").as_deref(),
        Some("sip:102@127.0.0.1:5060"),
        "{}",
        dial_b.xml
    );

    // B sends the caller to the queue while the provider's API is down: B hangs up their
    // phone, the provider asks the <Dial>'s action, and the caller is passed on all the same.
    *api.failing
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = true;
    let r = app
        .post(
            &format!("/api/v1/interactions/{second}/transfer"),
            &b,
            json!({"to_queue": queue, "reason": "Басқа кезекке"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let third = r.body["id"].as_str().unwrap_or_default().to_owned();
    let d = tw
        .post(
            &tw.hook("dial"),
            &[("CallSid", sid), ("DialCallStatus", "completed")],
        )
        .await?;
    assert!(
        d.said().contains("Сізді басқа маманға қосамыз"),
        "{}",
        d.xml
    );
    assert!(d.has("Enqueue") && !d.has("Hangup"), "{}", d.xml);
    // Nobody takes it; the caller hangs up in the queue: that contact is lost, not the others.
    ok(&tw
        .post(
            &tw.hook("status"),
            &[("CallSid", sid), ("CallStatus", "completed")],
        )
        .await?)?;

    let all = contacts(&app, &appeal).await?;
    let by_id = |id: &str| {
        all.iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(by_id(&first)["state"], "ended");
    assert_eq!(by_id(&first)["operator_id"], a_id.as_str());
    assert_eq!(by_id(&second)["state"], "ended");
    assert_eq!(by_id(&second)["operator_id"], b_id.as_str());
    assert_eq!(by_id(&third)["state"], "abandoned");
    let moved = app
        .get(
            "/api/v1/events?kind=routing.transferred&limit=10",
            app.admin(),
        )
        .await?;
    let moved = moved.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(moved.len(), 2, "{moved:?}");
    Ok(())
}
